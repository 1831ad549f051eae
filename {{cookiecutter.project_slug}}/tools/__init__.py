"""Developer tools: never imported by the service, never copied into the image."""
