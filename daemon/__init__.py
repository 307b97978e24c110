"""The process: CLI, config, mailbox and transport adapters, ingest loop."""
