"""申诉 (appeals): a unit contests a callback rating or a lateness judgment of one of its orders; its leader
approves it, the centre upholds or rejects it. An upheld appeal takes the rating or the lateness out of the
unit's figures from the decision on (portal/orders/history.py, portal/stats)."""
