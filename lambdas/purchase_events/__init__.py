"""Purchase usage events from the order table's stream."""
