"""Station protocols, aggregation station -> TEC -> CEC, results and their exports."""
