"""The orchestrator, and what it drives: building each client (data → numbers → pages), deciding what the build
cache spares, running clients in worker processes, and writing the site so that it replaces the previous one
in one step. `build()` (in `site`) is the one entry point."""

from sitegen.build.site import BuildOptions, BuildResult, build, default_output

__all__ = ["BuildOptions", "BuildResult", "build", "default_output"]
