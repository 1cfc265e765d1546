"""Training: configs, datasets, the shared loop and one task per model."""
