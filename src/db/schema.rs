// @generated automatically by Diesel CLI.

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        created_at -> Timestamptz,
        actor -> Text,
        actor_roles -> Array<Text>,
        action -> Text,
        resource_type -> Text,
        resource_ids -> Array<Uuid>,
        request_id -> Text,
        purpose -> Nullable<Text>,
    }
}

diesel::table! {
    families (id) {
        id -> Uuid,
        reference -> Text,
        address_line1 -> Text,
        address_line2 -> Nullable<Text>,
        town -> Text,
        postcode -> Text,
        housing_tenure -> Text,
        bedrooms -> Nullable<Int2>,
        status -> Text,
        notes -> Nullable<Text>,
        archived_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    idempotency_keys (caller, idempotency_key) {
        caller -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Int2,
        response_body -> Jsonb,
        response_headers -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    members (id) {
        id -> Uuid,
        family_id -> Uuid,
        member_role -> Text,
        relationship -> Text,
        given_name -> Text,
        family_name -> Text,
        full_name -> Nullable<Text>,
        date_of_birth -> Date,
        gender -> Text,
        upn -> Nullable<Text>,
        nhs_number -> Nullable<Text>,
        ni_number -> Nullable<Text>,
        school_name -> Nullable<Text>,
        archived_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    relatives (id) {
        id -> Uuid,
        family_id -> Uuid,
        related_member_id -> Nullable<Uuid>,
        relationship -> Text,
        given_name -> Text,
        family_name -> Text,
        date_of_birth -> Nullable<Date>,
        notes -> Nullable<Text>,
        archived_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::joinable!(members -> families (family_id));
diesel::joinable!(relatives -> families (family_id));
diesel::joinable!(relatives -> members (related_member_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_events,
    families,
    idempotency_keys,
    members,
    relatives,
);
