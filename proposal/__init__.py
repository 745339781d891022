"""Consortium tender-proposal generator: partner and cost data in, proposal PDF and budget
workbook out. The flow is `proposal.pipeline.build`: load -> validate -> compute -> render."""
