"""Test application: proves /app/main.py runs after boot, before the REPL."""
import sys

print("main.py: hello from the app, running on", sys.platform)
greeting = "set by main.py"
