"""Training data: corpus readers, the feature cache and datasets over it."""
