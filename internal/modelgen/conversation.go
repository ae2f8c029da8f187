package modelgen

import (
	"fmt"
	"strings"
)

// pascalCase is change-case's pascalCase.
func pascalCase(input string) string {
	toks := noCaseTokens(input)
	var b strings.Builder
	for i, t := range toks {
		fc := firstChar(t)
		rest := strings.ToLower(t[len(fc):])
		if i > 0 && len(fc) == 1 && fc >= "0" && fc <= "9" {
			b.WriteString("_" + fc + rest)
		} else {
			b.WriteString(strings.ToUpper(fc) + rest)
		}
	}
	return b.String()
}

// conversationField is process-conversation's generateField.
func conversationField(name string, typ any, isRequired, isArray bool, isArrayNullable, isReadOnly any) *object {
	o := newObject().set("name", name).set("type", typ).set("attributes", []any{}).
		set("isArray", isArray).set("isRequired", isRequired).set("isReadOnly", isReadOnly)
	if isArray {
		o.set("isArrayNullable", isArrayNullable)
	}
	return o
}

func conversationTimestamp(name string) *object {
	return conversationField(name, "AWSDateTime", false, false, undefined, true).set("isReadOnly", true)
}

func conversationAuthAttribute() *object {
	return newObject().set("type", "auth").set("properties", newObject().set("rules", []any{
		newObject().set("provider", "userPools").set("ownerField", "owner").set("allow", "owner").
			set("identityClaim", "cognito:username").set("operations", []any{"create", "update", "delete", "read"}),
	}))
}

func conversationPrimaryKeyInfo() *object {
	return newObject().set("isCustomPrimaryKey", false).set("primaryKeyFieldName", "id").set("sortKeyFieldNames", []any{})
}

// conversationRoute is process-conversation's processConversationRoute.
func conversationRoute(name string, send *object) *object {
	route := pascalCase(name)
	convName := "Conversation" + route
	msgName := "ConversationMessage" + route
	conv := newObject().set("name", convName).set("fields", newObject().
		set("id", conversationField("id", "ID", true, false, undefined, undefined)).
		set("name", conversationField("name", "String", false, false, undefined, undefined)).
		set("metadata", conversationField("metadata", "AWSJSON", false, false, undefined, undefined)).
		set("messages", conversationField("messages", newObject().set("model", msgName), false, true, true, undefined).
			set("association", newObject().set("connectionType", connHasMany).set("associatedWith", []any{"conversationId"}))).
		set("createdAt", conversationTimestamp("createdAt")).
		set("updatedAt", conversationTimestamp("updatedAt")).
		set("owner", conversationField("owner", "String", false, false, undefined, undefined))).
		set("syncable", true).
		set("pluralName", plural(convName)).
		set("attributes", []any{
			newObject().set("type", "model").set("properties", newObject().
				set("subscriptions", newObject().set("level", "off")).
				set("mutations", newObject().set("update", nil))),
			conversationAuthAttribute(),
		}).
		set("primaryKeyInfo", conversationPrimaryKeyInfo())
	msg := newObject().set("name", msgName).set("fields", newObject().
		set("id", conversationField("id", "ID", true, false, undefined, undefined)).
		set("conversationId", conversationField("conversationId", "ID", true, false, undefined, undefined)).
		set("conversation", conversationField("conversation", newObject().set("model", convName), false, false, undefined, undefined).
			set("association", newObject().set("connectionType", connBelongsTo).set("targetNames", []any{"conversationId"}))).
		set("role", conversationField("role", newObject().set("enum", "AmplifyAIConversationParticipantRole"), false, false, undefined, undefined)).
		set("content", conversationField("content", newObject().set("nonModel", "AmplifyAIContentBlock"), false, true, undefined, undefined)).
		set("aiContext", conversationField("aiContext", "AWSJSON", false, false, undefined, undefined)).
		set("toolConfiguration", conversationField("toolConfiguration", newObject().set("nonModel", "AmplifyAIToolConfiguration"), false, true, true, undefined)).
		set("createdAt", conversationTimestamp("createdAt")).
		set("updatedAt", conversationTimestamp("updatedAt"))).
		set("syncable", true).
		set("pluralName", plural(msgName)).
		set("attributes", []any{
			newObject().set("type", "model").set("properties", newObject().set("subscriptions", newObject())),
			conversationAuthAttribute(),
		}).
		set("primaryKeyInfo", conversationPrimaryKeyInfo())
	subscribe := newObject().set("isArray", false).set("isRequired", false).
		set("name", "onCreateAssistantResponse"+route).
		set("type", newObject().set("nonModel", "AmplifyAIConversationMessageStreamPart")).
		set("arguments", newObject().set("conversationId", newObject().
			set("name", "conversationId").set("isArray", false).set("isRequired", true).set("type", "ID")))
	return newObject().set("name", name).
		set("models", newObject().set(convName, conv).set(msgName, msg)).
		set("nonModels", newObject()).
		set("enums", newObject().set("ConversationParticipantRole", newObject().
			set("name", "AmplifyAIConversationParticipantRole").set("values", []any{"user", "assistant"}))).
		set("conversation", newObject().set("modelName", convName)).
		set("message", newObject().set("modelName", msgName).
			set("send", send.clone().set("type", newObject().set("model", msgName))).
			set("subscribe", subscribe))
}

// validateIntrospection enforces the parts of the reference's JSON schema
// check (validate-cjs) that a schema accepted by the parser can violate:
// field and argument type kinds.
func validateIntrospection(result *object) error {
	fieldKinds := map[string]bool{"enum": true, "model": true, "nonModel": true}
	argKinds := map[string]bool{"enum": true, "input": true}
	check := func(where string, t any, kinds map[string]bool) error {
		o, ok := t.(*object)
		if !ok {
			return nil
		}
		for _, k := range o.keys {
			if !kinds[k] {
				return fmt.Errorf("Data did not validate against the supplied schema: %s has a type of kind %s, which is not allowed there", where, k)
			}
		}
		return nil
	}
	checkArgs := func(where string, args any) error {
		a, ok := args.(*object)
		if !ok {
			return nil
		}
		for i, k := range a.keys {
			if err := check(where+" argument "+k, jsGet(a.vals[i], "type"), argKinds); err != nil {
				return err
			}
		}
		return nil
	}
	for _, sec := range []string{"models", "nonModels"} {
		types, _ := result.get(sec).(*object)
		for i, tn := range types.keys {
			fields, _ := jsGet(types.vals[i], "fields").(*object)
			if fields == nil {
				continue
			}
			for j, fn := range fields.keys {
				if err := check(tn+"."+fn, jsGet(fields.vals[j], "type"), fieldKinds); err != nil {
					return err
				}
			}
		}
	}
	for _, sec := range []string{"queries", "generations", "mutations", "subscriptions"} {
		ops, ok := result.get(sec).(*object)
		if !ok {
			continue
		}
		for i, on := range ops.keys {
			if err := check(sec+" "+on, jsGet(ops.vals[i], "type"), fieldKinds); err != nil {
				return err
			}
			if err := checkArgs(sec+" "+on, jsGet(ops.vals[i], "arguments")); err != nil {
				return err
			}
		}
	}
	if inputs, ok := result.get("inputs").(*object); ok {
		for i, in := range inputs.keys {
			if err := checkArgs("input "+in, jsGet(inputs.vals[i], "attributes")); err != nil {
				return err
			}
		}
	}
	return nil
}
