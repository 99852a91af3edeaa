"""How the bot runs: the composition root, the servers, the start-up checks, health, metrics, logs and the jobs."""
