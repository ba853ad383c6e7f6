"""Reports, real-time boards, exports and surveys: everything that reads the event log back."""
