"""Pure parsing: raw bytes to a parsed mail, request facts and decisions."""
