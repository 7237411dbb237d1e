"""The XAPI simulator's object model and calls; tests/lab/xapi_lab.py serves them over XML-RPC."""
