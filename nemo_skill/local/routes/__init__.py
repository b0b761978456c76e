"""The embedded backend's endpoints, one module per resource; each exports ``ROUTES``."""
