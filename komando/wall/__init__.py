"""Video wall: full-screen layouts of live panels for the command room's displays."""
