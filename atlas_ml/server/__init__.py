"""A real, local Apache Atlas for development, tests and the demo, assembled from Maven Central."""
