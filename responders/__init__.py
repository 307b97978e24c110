"""Pure workflow: parsed mail and request state in, new state and outgoing mail out."""
