"""The image workflow's thumbnail step: resize an uploaded image and store its thumbnail."""
