"""Bureau and blacklist reporting: file formats produced from the marts."""
