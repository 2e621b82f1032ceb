"""Web Push: VAPID keys, subscriptions, a transactional outbox and the delivery worker.

Other domains call `backend.push.outbox` (inside their own write transaction) and `backend.push.messages`.
"""
