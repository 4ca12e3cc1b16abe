"""Sales Assistant for Slack: deals, leads, pipeline and funnel figures, digests."""
