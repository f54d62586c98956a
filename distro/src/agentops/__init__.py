"""AgentOps OpenTelemetry distribution."""
