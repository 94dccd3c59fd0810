"""Outbound network access of the server: the hardened ICY metadata fetch.

``addresses`` decides which peers the server may connect to (checked after DNS
resolution, on every redirect hop); ``icy_fetch`` performs one bounded HTTP(S) request
for a radio's station name and current title. Both run in the radio poller actors'
threads, never on the IOLoop.
"""
