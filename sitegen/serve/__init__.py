"""Live preview: `sitegen serve` builds, serves the output folder and rebuilds on every change."""
