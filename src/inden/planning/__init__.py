"""Planning: demand forecasts, inventory policy (safety stock, reorder point, order quantity), supplier
choice, stock-out risk and policy simulation. Pure computation over data frames and arrays; no database."""
