"""childspend: English local authority spending on children's services, from official statistics."""
