"""Pure authentication primitives: password hashing, login tokens, policy, rate limits.

Nothing here touches the database or the network; the AccountActor stores what these
functions produce and the web layer applies the policy and the rate limiter.
"""
