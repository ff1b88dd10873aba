"""Self-service rights (policy section 6): view, export, correct, restrict, consents, withdraw.

Pages for members and legal representatives, and the services the privacy manager's shell
actions (``privacy export|correct|erase|restrict``) call on a member's behalf.
"""
