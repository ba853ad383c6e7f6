"""Channel adapters: turn the outside world (SMTP, webhooks, WebSocket chat, CTI events) into service calls.

Each channel is a :class:`~helpline.channels.base.ChannelAdapter`; the registry built in
``helpline.bootstrap`` decides which ones a process runs. Adding a channel touches no core code.
"""
