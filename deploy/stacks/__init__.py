"""The CDK stacks (each a few small constructs): the JSON API on Lambda, the dashboard."""
