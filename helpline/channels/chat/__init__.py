"""The web chat channel: a widget served by Helpline, visitors over WebSocket, agents' live view.

``hub`` keeps the live sockets of this process; ``adapter`` delivers agents' replies to them and
emails transcripts; ``visitor`` speaks the visitor protocol (docs/channels-chat.md); ``widget.js``
is the embeddable client.
"""
