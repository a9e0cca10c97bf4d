"""Building blocks of ``ServerlessApi``: routes, auth, usage plans, WAF and alarms."""
