// @generated automatically by Diesel CLI.

diesel::table! {
    allocations (id) {
        id -> Uuid,
        family_id -> Uuid,
        staff_id -> Uuid,
        team_code -> Nullable<Text>,
        started_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
        end_reason -> Nullable<Text>,
        allocated_by -> Text,
        ended_by -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    attachments (id) {
        id -> Uuid,
        family_id -> Uuid,
        ruleset_code -> Text,
        revision_id -> Uuid,
        attached_on -> Date,
        financial_year -> Int2,
        attachment_fee_pence -> Int8,
        eligible -> Bool,
        eligibility -> Jsonb,
        override_justification -> Nullable<Text>,
        attached_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        created_at -> Timestamptz,
        actor -> Text,
        actor_roles -> Array<Text>,
        action -> Text,
        resource_type -> Text,
        resource_ids -> Array<Uuid>,
        resource_keys -> Array<Text>,
        request_id -> Text,
        purpose -> Nullable<Text>,
        actor_issuer -> Nullable<Text>,
    }
}

diesel::table! {
    case_notes (id) {
        id -> Uuid,
        family_id -> Uuid,
        author -> Text,
        body -> Text,
        sensitive -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    evidence (id) {
        id -> Uuid,
        family_id -> Uuid,
        member_id -> Nullable<Uuid>,
        kind -> Text,
        source -> Text,
        occurred_on -> Date,
        ends_on -> Nullable<Date>,
        intervention_kind -> Nullable<Text>,
        academic_year -> Nullable<Int2>,
        term -> Nullable<Text>,
        possible_sessions -> Nullable<Int4>,
        sessions_attended -> Nullable<Int4>,
        unauthorised_absences -> Nullable<Int4>,
        fixed_term_exclusions -> Nullable<Int4>,
        benefit_type -> Nullable<Text>,
        hours_per_week -> Nullable<Int2>,
        programme -> Nullable<Text>,
        filter -> Nullable<Text>,
        indicator -> Nullable<Text>,
        notes -> Nullable<Text>,
        supersedes_id -> Nullable<Uuid>,
        retracts -> Bool,
        recorded_by -> Text,
        import_key -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        information_request_id -> Nullable<Uuid>,
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
        lsoa -> Nullable<Text>,
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
    identification_results (run_id, family_id) {
        run_id -> Uuid,
        family_id -> Uuid,
        criteria_met -> Array<Text>,
        local_filters -> Array<Text>,
        reason -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    identification_runs (id) {
        id -> Uuid,
        ruleset_code -> Text,
        revision_id -> Uuid,
        as_of -> Date,
        status -> Text,
        eligible -> Int4,
        eligible_not_attached -> Int4,
        not_eligible -> Int4,
        last_family_id -> Nullable<Uuid>,
        error -> Nullable<Text>,
        requested_by -> Text,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    import_review_rows (import_id, line) {
        import_id -> Uuid,
        line -> Int4,
        problem -> Text,
        detail -> Text,
        fields -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    imports (id) {
        id -> Uuid,
        kind -> Text,
        file_sha256 -> Text,
        rows_total -> Int4,
        imported -> Int4,
        duplicates -> Int4,
        for_review -> Int4,
        uploaded_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
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
    jobs (id) {
        id -> Uuid,
        kind -> Text,
        subject_id -> Nullable<Uuid>,
        period -> Nullable<Timestamptz>,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_after -> Timestamptz,
        lease_token -> Nullable<Uuid>,
        leased_by -> Nullable<Text>,
        heartbeat_at -> Nullable<Timestamptz>,
        cancel_requested_at -> Nullable<Timestamptz>,
        cancel_requested_by -> Nullable<Text>,
        done -> Int8,
        total -> Nullable<Int8>,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        error -> Nullable<Text>,
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

diesel::table! {
    ruleset_revisions (id) {
        id -> Uuid,
        ruleset_code -> Text,
        revision -> Int4,
        effective_from -> Date,
        parameters -> Jsonb,
        note -> Text,
        created_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    rulesets (code) {
        code -> Text,
        name -> Text,
        family -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    staff (id) {
        id -> Uuid,
        subject -> Text,
        name -> Text,
        staff_role -> Text,
        team_code -> Nullable<Text>,
        organisation -> Text,
        active -> Bool,
        deactivated_at -> Nullable<Timestamptz>,
        deactivated_by -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    teams (code) {
        code -> Text,
        name -> Text,
        open_case_limit -> Nullable<Int4>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    organisations (code) {
        code -> Text,
        name -> Text,
        kind -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    claim_items (id) {
        id -> Uuid,
        window_id -> Uuid,
        family_id -> Uuid,
        attachment_id -> Uuid,
        ruleset_code -> Text,
        revision_id -> Uuid,
        financial_year -> Int2,
        result -> Text,
        slot -> Text,
        achieved_on -> Date,
        amount_pence -> Int8,
        snapshot -> Json,
        evidence_ids -> Array<Uuid>,
        status -> Text,
        excluded_reason -> Nullable<Text>,
        excluded_by -> Nullable<Text>,
        excluded_at -> Nullable<Timestamptz>,
        withdrawn_reason -> Nullable<Text>,
        withdrawn_on -> Nullable<Date>,
        withdrawn_by -> Nullable<Text>,
        recovered_pence -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    claim_windows (id) {
        id -> Uuid,
        name -> Text,
        cut_off -> Date,
        status -> Text,
        last_attachment_id -> Nullable<Uuid>,
        started_at -> Nullable<Timestamptz>,
        computed_at -> Nullable<Timestamptz>,
        error -> Nullable<Text>,
        prepared_by -> Text,
        validated_by -> Nullable<Text>,
        validated_at -> Nullable<Timestamptz>,
        submitted_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        rulesets -> Nullable<Array<Text>>,
    }
}

diesel::table! {
    consents (id) {
        id -> Uuid,
        family_id -> Uuid,
        member_id -> Nullable<Uuid>,
        decision -> Text,
        organisations -> Array<Text>,
        purposes -> Array<Text>,
        categories -> Nullable<Array<Text>>,
        excluded_categories -> Array<Text>,
        valid_from -> Date,
        valid_until -> Nullable<Date>,
        notes -> Nullable<Text>,
        recorded_by -> Text,
        withdrawn_on -> Nullable<Date>,
        withdrawn_reason -> Nullable<Text>,
        withdrawn_by -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    information_requests (id) {
        id -> Uuid,
        family_id -> Uuid,
        member_id -> Nullable<Uuid>,
        organisation -> Text,
        asked -> Text,
        purpose -> Text,
        lawful_basis -> Text,
        categories -> Array<Text>,
        due_on -> Date,
        status -> Text,
        requested_by -> Text,
        requested_on -> Date,
        outcome -> Nullable<Text>,
        response -> Nullable<Text>,
        responded_by -> Nullable<Text>,
        responded_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    information_sharing (id) {
        id -> Uuid,
        family_id -> Uuid,
        member_id -> Nullable<Uuid>,
        shared_with -> Text,
        lawful_basis -> Text,
        categories -> Array<Text>,
        what_was_shared -> Text,
        reason -> Text,
        shared_on -> Date,
        shared_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        direction -> Text,
        information_request_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    assessments (id) {
        id -> Uuid,
        family_id -> Uuid,
        status -> Text,
        lead_worker_id -> Uuid,
        started_on -> Date,
        consent_id -> Uuid,
        completed_with -> Array<Text>,
        family_priorities -> Nullable<Text>,
        practitioner_priorities -> Nullable<Text>,
        activated_on -> Nullable<Date>,
        activated_by -> Nullable<Text>,
        review_due_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
        closure_reason -> Nullable<Text>,
        closure_note -> Nullable<Text>,
        closed_by -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    assessment_findings (id) {
        id -> Uuid,
        assessment_id -> Uuid,
        member_id -> Nullable<Uuid>,
        domain -> Text,
        strengths -> Nullable<Text>,
        needs -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    taf_members (id) {
        id -> Uuid,
        family_id -> Uuid,
        staff_id -> Uuid,
        joined_on -> Date,
        left_on -> Nullable<Date>,
        added_by -> Text,
        removed_by -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    care_episodes (id) {
        id -> Uuid,
        family_id -> Uuid,
        member_id -> Nullable<Uuid>,
        kind -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        direction -> Text,
        follows_id -> Nullable<Uuid>,
        assessment_id -> Nullable<Uuid>,
        agreed_by -> Text,
        recorded_by -> Text,
        end_agreed_by -> Nullable<Text>,
        end_reason -> Nullable<Text>,
        ended_by -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    taf_meetings (id) {
        id -> Uuid,
        family_id -> Uuid,
        assessment_id -> Uuid,
        meeting_on -> Date,
        status -> Text,
        family_attended -> Nullable<Bool>,
        attendee_staff_ids -> Array<Uuid>,
        attendee_agencies -> Array<Text>,
        decisions -> Nullable<Text>,
        notes -> Nullable<Text>,
        next_review_on -> Nullable<Date>,
        recorded_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    plan_actions (id) {
        id -> Uuid,
        family_id -> Uuid,
        assessment_id -> Uuid,
        description -> Text,
        owner_staff_id -> Nullable<Uuid>,
        owner_organisation -> Nullable<Text>,
        member_id -> Nullable<Uuid>,
        need -> Text,
        due_on -> Date,
        status -> Text,
        closed_on -> Nullable<Date>,
        outcome -> Nullable<Text>,
        closed_by -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    action_progress (id) {
        id -> Uuid,
        action_id -> Uuid,
        note -> Text,
        author -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    services (code) {
        code -> Text,
        organisation -> Text,
        name -> Text,
        need -> Text,
        min_age -> Nullable<Int4>,
        max_age -> Nullable<Int4>,
        required_plans -> Array<Text>,
        capacity -> Nullable<Int4>,
        contract_start -> Date,
        contract_end -> Nullable<Date>,
        contract_value_pence -> Nullable<Int8>,
        notes -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    provider_users (id) {
        id -> Uuid,
        subject -> Text,
        issuer -> Text,
        organisation -> Text,
        created_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    referrals (id) {
        id -> Uuid,
        family_id -> Uuid,
        member_id -> Nullable<Uuid>,
        service_code -> Text,
        organisation -> Text,
        status -> Text,
        reason -> Text,
        referred_on -> Date,
        consent_id -> Nullable<Uuid>,
        consent_override -> Nullable<Text>,
        override_by -> Nullable<Text>,
        queued_at -> Nullable<Timestamptz>,
        outcome -> Nullable<Text>,
        referred_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    referral_events (id) {
        id -> Uuid,
        referral_id -> Uuid,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Nullable<Text>,
        actor -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    referral_updates (id) {
        id -> Uuid,
        referral_id -> Uuid,
        kind -> Text,
        occurred_on -> Date,
        session_held -> Nullable<Bool>,
        family_engaged -> Nullable<Bool>,
        note -> Nullable<Text>,
        measures -> Jsonb,
        corrects_id -> Nullable<Uuid>,
        posted_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        organisation -> Text,
        url -> Text,
        secret -> Text,
        active -> Bool,
        created_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        event_type -> Text,
        organisation -> Text,
        payload -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        outbox_id -> Uuid,
        subscription_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        lease_token -> Nullable<Uuid>,
        heartbeat_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(staff -> teams (team_code));
diesel::joinable!(allocations -> families (family_id));
diesel::joinable!(allocations -> staff (staff_id));
diesel::joinable!(attachments -> families (family_id));
diesel::joinable!(claim_items -> claim_windows (window_id));
diesel::joinable!(claim_items -> families (family_id));
diesel::joinable!(case_notes -> families (family_id));
diesel::joinable!(attachments -> ruleset_revisions (revision_id));
diesel::joinable!(attachments -> rulesets (ruleset_code));
diesel::joinable!(evidence -> families (family_id));
diesel::joinable!(evidence -> members (member_id));
diesel::joinable!(evidence -> information_requests (information_request_id));
diesel::joinable!(information_requests -> families (family_id));
diesel::joinable!(information_requests -> members (member_id));
diesel::joinable!(taf_members -> staff (staff_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_deliveries -> outbox (outbox_id));
diesel::joinable!(action_progress -> plan_actions (action_id));
diesel::joinable!(plan_actions -> families (family_id));
diesel::joinable!(assessments -> families (family_id));
diesel::joinable!(assessment_findings -> assessments (assessment_id));
diesel::joinable!(ruleset_revisions -> rulesets (ruleset_code));
diesel::joinable!(identification_results -> families (family_id));
diesel::joinable!(identification_results -> identification_runs (run_id));
diesel::joinable!(identification_runs -> ruleset_revisions (revision_id));
diesel::joinable!(identification_runs -> rulesets (ruleset_code));
diesel::joinable!(import_review_rows -> imports (import_id));
diesel::joinable!(members -> families (family_id));
diesel::joinable!(relatives -> families (family_id));
diesel::joinable!(relatives -> members (related_member_id));

diesel::allow_tables_to_appear_in_same_query!(
    action_progress,
    allocations,
    assessment_findings,
    assessments,
    attachments,
    audit_events,
    care_episodes,
    case_notes,
    claim_items,
    claim_windows,
    consents,
    evidence,
    families,
    identification_results,
    identification_runs,
    idempotency_keys,
    import_review_rows,
    imports,
    jobs,
    information_requests,
    information_sharing,
    members,
    organisations,
    outbox,
    plan_actions,
    provider_users,
    referral_events,
    referral_updates,
    referrals,
    relatives,
    ruleset_revisions,
    rulesets,
    services,
    staff,
    taf_meetings,
    taf_members,
    teams,
    webhook_deliveries,
    webhook_subscriptions,
);
