"""Request and response models: the API's contract, separate from the tables."""
