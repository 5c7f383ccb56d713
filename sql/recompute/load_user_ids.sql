SELECT id AS user_id FROM auth_user
