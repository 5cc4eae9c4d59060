"""Stage 0: what to build. The project's settings (`sitegen.toml`, `client.toml`), its clients and their
reports (front matter and commentary), found in the project folder."""
