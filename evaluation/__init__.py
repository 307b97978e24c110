"""The labelled evaluation set of the reader: request mails and approver replies.

`python -m evaluation` (or `make eval`) prints per-fact precision and recall over
`evaluation/requests/` and the decisions' confusion matrix over `evaluation/replies/`.
"""
