"""HTTP API of the assistant: one router per resource."""
