export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  api: {
    Tables: {
      [_ in never]: never
    }
    Views: {
      communication_partners: {
        Row: {
          communication_partner_id: string | null
          description: string | null
          name: string | null
          slug: string | null
          sort_order: number | null
        }
        Insert: {
          communication_partner_id?: string | null
          description?: string | null
          name?: string | null
          slug?: string | null
          sort_order?: number | null
        }
        Update: {
          communication_partner_id?: string | null
          description?: string | null
          name?: string | null
          slug?: string | null
          sort_order?: number | null
        }
        Relationships: []
      }
      industries: {
        Row: {
          description: string | null
          industry_id: string | null
          name: string | null
          slug: string | null
          sort_order: number | null
        }
        Insert: {
          description?: string | null
          industry_id?: string | null
          name?: string | null
          slug?: string | null
          sort_order?: number | null
        }
        Update: {
          description?: string | null
          industry_id?: string | null
          name?: string | null
          slug?: string | null
          sort_order?: number | null
        }
        Relationships: []
      }
      my_jobs: {
        Row: {
          attempts: number | null
          created_at: string | null
          finished_at: string | null
          job_id: number | null
          kind: string | null
          max_attempts: number | null
          run_after: string | null
          started_at: string | null
          status: string | null
        }
        Insert: {
          attempts?: number | null
          created_at?: string | null
          finished_at?: string | null
          job_id?: number | null
          kind?: string | null
          max_attempts?: number | null
          run_after?: string | null
          started_at?: string | null
          status?: string | null
        }
        Update: {
          attempts?: number | null
          created_at?: string | null
          finished_at?: string | null
          job_id?: number | null
          kind?: string | null
          max_attempts?: number | null
          run_after?: string | null
          started_at?: string | null
          status?: string | null
        }
        Relationships: []
      }
      native_languages: {
        Row: {
          description: string | null
          is_available: boolean | null
          name: string | null
          native_language_id: string | null
          slug: string | null
          sort_order: number | null
        }
        Insert: {
          description?: string | null
          is_available?: boolean | null
          name?: string | null
          native_language_id?: string | null
          slug?: string | null
          sort_order?: number | null
        }
        Update: {
          description?: string | null
          is_available?: boolean | null
          name?: string | null
          native_language_id?: string | null
          slug?: string | null
          sort_order?: number | null
        }
        Relationships: []
      }
      situations: {
        Row: {
          description: string | null
          name: string | null
          situation_id: string | null
          slug: string | null
          sort_order: number | null
        }
        Insert: {
          description?: string | null
          name?: string | null
          situation_id?: string | null
          slug?: string | null
          sort_order?: number | null
        }
        Update: {
          description?: string | null
          name?: string | null
          situation_id?: string | null
          slug?: string | null
          sort_order?: number | null
        }
        Relationships: []
      }
    }
    Functions: {
      admin_list_users: {
        Args: { after_profile_id?: string; page_size?: number; search?: string }
        Returns: Json
      }
      admin_set_user_roles: {
        Args: { profile_id: string; roles: string[] }
        Returns: Json
      }
      admin_set_user_status: {
        Args: { profile_id: string; status: string }
        Returns: Json
      }
      ai_budget: { Args: Record<PropertyKey, never>; Returns: Json }
      approve_custom_job_role: {
        Args: { job_role_id: string; note?: string }
        Returns: Json
      }
      complete_onboarding: { Args: Record<PropertyKey, never>; Returns: Json }
      custom_job_roles_pending_review: {
        Args: { max_results?: number }
        Returns: {
          created_at: string
          created_by: string
          description: string
          industry_id: string
          job_role_id: string
          title: string
        }[]
      }
      job_queue_health: {
        Args: Record<PropertyKey, never>
        Returns: {
          dead: number
          dispatched: number
          failed: number
          kind: string
          oldest_pending_age_seconds: number
          pending: number
          running: number
        }[]
      }
      job_role_enrichment: { Args: { job_role_id: string }; Returns: Json }
      job_roles_attribution: { Args: Record<PropertyKey, never>; Returns: Json }
      list_dead_jobs: {
        Args: { max_rows?: number }
        Returns: {
          attempts: number
          created_at: string
          finished_at: string
          job_id: number
          kind: string
          last_error: string
          profile_id: string
        }[]
      }
      me: { Args: Record<PropertyKey, never>; Returns: Json }
      merge_custom_job_role: {
        Args: { into_job_role_id: string; job_role_id: string; note?: string }
        Returns: Json
      }
      my_learning_plan: { Args: Record<PropertyKey, never>; Returns: Json }
      onboarding_state: { Args: Record<PropertyKey, never>; Returns: Json }
      onboarding_summary: { Args: Record<PropertyKey, never>; Returns: Json }
      reject_custom_job_role: {
        Args: { job_role_id: string; note?: string }
        Returns: Json
      }
      request_learning_plan: { Args: Record<PropertyKey, never>; Returns: Json }
      reset_onboarding: { Args: { profile_id?: string }; Returns: Json }
      retry_dead_job: { Args: { job_id: number }; Returns: Json }
      search_job_roles: {
        Args: { description?: string; max_results?: number; title: string }
        Returns: Database["api"]["CompositeTypes"]["job_role_search_result"][]
        SetofOptions: {
          from: "*"
          to: "job_role_search_result"
          isOneToOne: false
          isSetofReturn: true
        }
      }
      select_job_role: { Args: { job_role_id: string }; Returns: Json }
      set_ai_budget: { Args: { daily_tokens: number }; Returns: Json }
      set_communication_partners: {
        Args: { partners: string[] }
        Returns: Json
      }
      set_industry: { Args: { industry: string }; Returns: Json }
      set_native_language: { Args: { native_language: string }; Returns: Json }
      set_partner_situations: {
        Args: { partner: string; situations: string[] }
        Returns: Json
      }
      submit_custom_job_role: {
        Args: { description: string; title: string }
        Returns: Json
      }
      update_my_profile: { Args: { full_name: string }; Returns: Json }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      job_role_search_result: {
        job_role_id: string | null
        onet_code: string | null
        title: string | null
        description: string | null
        score: number | null
        matched_title: string | null
      }
    }
  }
}

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

export const Constants = {
  api: {
    Enums: {},
  },
} as const

