"""AppSync's JavaScript resolvers, run locally: ``evaluate`` reproduces ``EvaluateCode``
on Node, ``dynamodb`` executes the DynamoDB request a resolver built (against moto)."""
