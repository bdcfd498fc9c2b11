"""Deployment of the product: the Docker image's entrypoint (``entrypoint.py``, ``nginx/``)
and the AWS CDK app (``app.py``, ``stacks/``; its context in ``settings.py``, the Lambda
package from ``build_lambda.py``)."""
