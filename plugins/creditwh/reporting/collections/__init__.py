"""The daily collections lists for the dialer and the SMS platform (restricted extracts, issue #15 item 3)."""
