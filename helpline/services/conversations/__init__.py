"""Contacts and their conversations on every channel: messages, chat, email, CTI, timelines."""
