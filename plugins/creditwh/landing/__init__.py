"""Landing zone: drops of the card platform, their manifests and their verification."""
