"""HTTP only: paths, status codes, response models. Each handler makes one service call."""
