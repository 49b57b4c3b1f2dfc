"""A local stand-in for Slack: a Web API over HTTP and correctly signed requests to the bot.

The tests use it now; `python -m bot try` (the playground) will use the same pieces.
"""
