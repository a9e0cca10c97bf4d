"""The image workflow's thumbnail step: image size and the thumbnail's size."""
