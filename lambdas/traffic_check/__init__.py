"""CodeDeploy traffic hook: invoke the version being deployed with a probe request."""
