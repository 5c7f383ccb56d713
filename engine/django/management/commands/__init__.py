"""The runbook's commands and partcost's own, each a partcost CLI command (partcost.django.command)."""
