"""What the pages share, built from a lineage document, no callbacks: ``elements`` (Cytoscape
elements), ``stylesheet`` (every look), ``legend``, ``panels`` (summary bar, side panel,
formatting), ``messages`` (messages and errors in the page)."""
