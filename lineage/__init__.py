"""SageMaker Pipeline lineage: parse, fetch and assemble the lineage document."""
