"""Code shared by the shop's Lambda functions (shipped inside each function's asset)."""
