"""The Tornado layer: websocket, cookie endpoints, static client, health check."""
